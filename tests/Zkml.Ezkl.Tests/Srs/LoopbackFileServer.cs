using System.Net;
using Zkml.TestSupport;

namespace Zkml.Ezkl.Tests.SrsTests;

/// <summary>
/// A throwaway HTTP server on 127.0.0.1 (a free port chosen by the OS) serving fixed bytes per path, counting
/// requests. It stops when disposed, and by itself after a time limit.
/// </summary>
internal sealed class LoopbackFileServer : IDisposable
{
    private readonly HttpListener _listener;
    private readonly Dictionary<string, byte[]> _files;
    private readonly CancellationTokenSource _lifetime = new(TimeSpan.FromMinutes(5));
    private int _requests;

    public LoopbackFileServer(Dictionary<string, byte[]> files)
    {
        _files = files;
        (_listener, BaseUrl) = StartOnFreePort();
        _lifetime.Token.Register(() => _listener.Close());
        _ = Task.Run(ServeAsync);
    }

    public string BaseUrl { get; }

    public int Requests => Volatile.Read(ref _requests);

    public void Dispose()
    {
        _lifetime.Cancel();
        _lifetime.Dispose();
    }

    // Another process may take the free port before we bind it: try a new one a few times.
    private static (HttpListener Listener, string BaseUrl) StartOnFreePort()
    {
        for (int attempt = 1; ; attempt++)
        {
            var listener = new HttpListener();
            string baseUrl = $"http://127.0.0.1:{FreePort.Next()}/";
            listener.Prefixes.Add(baseUrl);
            try
            {
                listener.Start();
                return (listener, baseUrl);
            }
            catch (HttpListenerException) when (attempt < 5)
            {
                listener.Close();
            }
        }
    }

    private async Task ServeAsync()
    {
        while (!_lifetime.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception) when (_lifetime.IsCancellationRequested || !_listener.IsListening)
            {
                return;
            }

            Interlocked.Increment(ref _requests);
            string path = context.Request.Url!.AbsolutePath.TrimStart('/');
            using HttpListenerResponse response = context.Response;
            if (_files.TryGetValue(path, out byte[]? body))
            {
                response.StatusCode = 200;
                response.ContentLength64 = body.Length;
                await response.OutputStream.WriteAsync(body);
            }
            else
            {
                response.StatusCode = 404;
            }
        }
    }
}
