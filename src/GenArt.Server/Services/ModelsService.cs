using GenArt.Api.V1;
using GenArt.Rpc.Server;
using GenArt.Server.Auth;
using Google.Protobuf.Reflection;

namespace GenArt.Server.Services;

/// <summary>genart.v1.Models: the models this server was started with.</summary>
public sealed class ModelsService(ModelCatalog catalog, Authenticator auth, ServerMetrics metrics) : IRpcService
{
    public ServiceDescriptor Descriptor => ModelsReflection.Descriptor.Services[0];

    public void Bind(ServiceBinder binder) => binder.Unary<ListModelsRequest, ListModelsResponse>("ListModels", (_, context) =>
    {
        try
        {
            auth.Tenant(context);
        }
        catch (GenArt.Rpc.RpcException e)
        {
            metrics.RequestFinished("ListModels", e.StatusCode);
            throw;
        }
        var response = new ListModelsResponse();
        foreach (var m in catalog.All)
        {
            var model = new Model
            {
                Name = m.Name, Family = m.Family, DefaultWidth = (uint)m.NativeSide, DefaultHeight = (uint)m.NativeSide,
                DefaultSteps = (uint)m.DefaultSteps, DefaultScheduler = m.DefaultScheduler, DefaultGuidanceScale = (float)m.DefaultGuidance,
                Loaded = m.IsLoaded(), SupportsImg2Img = true,
            };
            model.Schedulers.AddRange(m.Schedulers);
            response.Models.Add(model);
        }
        metrics.RequestFinished("ListModels", GenArt.Rpc.StatusCode.OK);
        return Task.FromResult(response);
    });
}
