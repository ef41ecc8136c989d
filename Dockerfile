# GenArt: one runtime image whose command picks the role: `serve` (default), `worker`, `generate`, `doctor` ...
#
# Two stages. The build stage has the .NET SDK, CMake, g++ and (for CUDA) the CUDA toolkit; it downloads an official
# libtorch 2.x zip to /opt/libtorch, builds the native shim against it (LIBTORCH, read by src/GenArt.Torch/native's
# CMakeLists and its MSBuild target) and publishes the genart command. The runtime stage has the CUDA runtime, the
# ASP.NET Core runtime, and libtorch's shared libraries at the same path, where the shim's rpath finds them.
#
# CUDA (default):  docker build -t genart .
# CPU variant:     docker build -t genart:cpu --build-arg BUILD_IMAGE=ubuntu:22.04 --build-arg RUNTIME_IMAGE=ubuntu:22.04 \
#                    --build-arg LIBTORCH_URL=https://download.pytorch.org/libtorch/cpu/libtorch-cxx11-abi-shared-with-deps-2.4.1%2Bcpu.zip .
# Run:             docker run --gpus all genart worker --redis redis://redis:6379 --device cuda:0
#                  docker run -p 50051:50051 -p 9090:9090 genart serve --redis redis://redis:6379 --listen-any

ARG BUILD_IMAGE=nvidia/cuda:12.4.1-cudnn-devel-ubuntu22.04
ARG RUNTIME_IMAGE=nvidia/cuda:12.4.1-cudnn-runtime-ubuntu22.04
ARG DOTNET_CHANNEL=10.0

FROM ${BUILD_IMAGE} AS build
ARG DOTNET_CHANNEL
# A libtorch 2.x C++ distribution (cxx11 ABI, shared, with its dependencies), for the CUDA version of the base image.
ARG LIBTORCH_URL=https://download.pytorch.org/libtorch/cu124/libtorch-cxx11-abi-shared-with-deps-2.4.1%2Bcu124.zip
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      ca-certificates curl unzip cmake g++ make libpng-dev libturbojpeg0-dev libicu-dev \
 && rm -rf /var/lib/apt/lists/*
RUN curl -fsSL https://dot.net/v1/dotnet-install.sh -o /tmp/dotnet-install.sh \
 && bash /tmp/dotnet-install.sh --channel ${DOTNET_CHANNEL} --install-dir /usr/share/dotnet \
 && ln -s /usr/share/dotnet/dotnet /usr/local/bin/dotnet
RUN curl -fsSL "${LIBTORCH_URL}" -o /tmp/libtorch.zip \
 && unzip -q /tmp/libtorch.zip -d /opt \
 && rm /tmp/libtorch.zip \
 && test -f /opt/libtorch/share/cmake/Torch/TorchConfig.cmake
ENV LIBTORCH=/opt/libtorch \
    CMAKE_PREFIX_PATH=/opt/libtorch \
    DOTNET_CLI_TELEMETRY_OPTOUT=1
WORKDIR /src
COPY . .
# A stale shim from the build context must not be reused: it was linked against another libtorch.
RUN rm -rf src/GenArt.Torch/native/build \
 && dotnet publish src/GenArt.Cli -c Release -o /out --no-self-contained \
 && cp src/GenArt.Torch/native/build/libgenart_torch.so /out/

FROM ${RUNTIME_IMAGE}
ARG DOTNET_CHANNEL
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      ca-certificates curl libpng16-16 libturbojpeg libicu70 libgomp1 \
 && curl -fsSL https://dot.net/v1/dotnet-install.sh -o /tmp/dotnet-install.sh \
 && bash /tmp/dotnet-install.sh --channel ${DOTNET_CHANNEL} --runtime aspnetcore --install-dir /usr/share/dotnet \
 && ln -s /usr/share/dotnet/dotnet /usr/local/bin/dotnet \
 && rm /tmp/dotnet-install.sh \
 && apt-get purge -y -qq curl && apt-get autoremove -y -qq && rm -rf /var/lib/apt/lists/*
# libtorch's shared libraries (with the CUDA libraries it ships) at the path the shim was linked with.
COPY --from=build /opt/libtorch/lib/ /opt/libtorch/lib/
ENV LD_LIBRARY_PATH=/opt/libtorch/lib \
    DOTNET_CLI_TELEMETRY_OPTOUT=1
RUN useradd --system --uid 10001 --home-dir /app genart
WORKDIR /app
COPY --from=build /out/ /app/
COPY models/ /app/models/
USER genart
# gRPC and the ops port (/healthz, /readyz, /metrics).
EXPOSE 50051 9090
ENTRYPOINT ["dotnet", "/app/genart.dll"]
CMD ["serve", "--listen-any"]
