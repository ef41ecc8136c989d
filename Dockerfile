# GenArt: one image, whose command picks the role (`serve`, `worker`, `generate`, `doctor` ...).
# CPU build on Debian's libtorch. A CUDA image builds the same shim against CUDA libtorch 2.x by pointing
# LIBTORCH at an unpacked libtorch in the build stage (see docs/torch.md).

FROM mcr.microsoft.com/dotnet/sdk:10.0-bookworm-slim AS build
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      libtorch-dev libopenblas0-pthread cmake g++ make libpng-dev libturbojpeg0-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN dotnet publish src/GenArt.Cli -c Release -o /out --no-self-contained \
 && cp src/GenArt.Torch/native/build/libgenart_torch.so /out/

FROM mcr.microsoft.com/dotnet/aspnet:10.0-bookworm-slim
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      libtorch1.13 libopenblas0-pthread libpng16-16 libturbojpeg0 libicu72 \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /out/ /app/
COPY models/ /app/models/
ENTRYPOINT ["dotnet", "/app/genart.dll"]
CMD ["doctor"]
