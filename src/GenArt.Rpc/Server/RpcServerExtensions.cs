using GenArt.Rpc.Server;
using GenArt.Rpc.Services;
using ServiceDescriptor = Google.Protobuf.Reflection.ServiceDescriptor;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace GenArt.Rpc;

/// <summary>Wiring GenArt.Rpc into an ASP.NET Core (Kestrel) application.</summary>
public static class RpcServerExtensions
{
    /// <summary>Registers the gRPC server services (registry, options, health, reflection).</summary>
    public static IServiceCollection AddGenArtRpc(this IServiceCollection services, Action<RpcServerOptions>? configure = null)
    {
        var builder = services.AddOptions<RpcServerOptions>();
        if (configure is not null) builder.Configure(configure);
        services.TryAddSingleton<RpcServiceRegistry>();
        services.TryAddSingleton<HealthService>();
        return services;
    }

    /// <summary>
    /// Adds the gRPC middleware and maps the built-in services (health, reflection) unless disabled.
    /// Call before other middleware that would answer gRPC paths.
    /// </summary>
    public static IApplicationBuilder UseGenArtRpc(this IApplicationBuilder app)
    {
        var sp = app.ApplicationServices;
        var options = sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<RpcServerOptions>>().Value;
        var registry = sp.GetRequiredService<RpcServiceRegistry>();
        if (options.EnableHealth && !registry.HasService(HealthService.ServiceName))
            app.MapGrpcService(sp.GetRequiredService<HealthService>());
        if (options.EnableReflection && !registry.HasService(ReflectionService.V1ServiceName))
            app.MapGrpcService(new ReflectionService(registry));
        app.UseMiddleware<RpcMiddleware>();
        return app;
    }

    /// <summary>Registers a service described by a protobuf descriptor (reflection reports its file).</summary>
    public static IApplicationBuilder MapGrpcService(this IApplicationBuilder app, ServiceDescriptor descriptor, Action<ServiceBinder> bind)
    {
        var registry = app.ApplicationServices.GetRequiredService<RpcServiceRegistry>();
        registry.AddFile(descriptor.File);
        bind(new ServiceBinder(registry, descriptor.FullName, descriptor));
        return app;
    }

    /// <summary>Registers a service by name only (no descriptor: not reported by reflection).</summary>
    public static IApplicationBuilder MapGrpcService(this IApplicationBuilder app, string serviceName, Action<ServiceBinder> bind)
    {
        var registry = app.ApplicationServices.GetRequiredService<RpcServiceRegistry>();
        bind(new ServiceBinder(registry, serviceName, null));
        return app;
    }

    /// <summary>Registers a service instance that binds itself.</summary>
    public static IApplicationBuilder MapGrpcService(this IApplicationBuilder app, IRpcService service)
    {
        var registry = app.ApplicationServices.GetRequiredService<RpcServiceRegistry>();
        registry.AddFile(service.Descriptor.File);
        service.Bind(new ServiceBinder(registry, service.Descriptor.FullName, service.Descriptor));
        return app;
    }

    /// <summary>Registers a service resolved from DI (or created with its constructor dependencies).</summary>
    public static IApplicationBuilder MapGrpcService<TService>(this IApplicationBuilder app) where TService : IRpcService
        => app.MapGrpcService(ActivatorUtilities.GetServiceOrCreateInstance<TService>(app.ApplicationServices));
}

