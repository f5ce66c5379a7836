using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Zkml.Storage.Tests.Support;

/// <summary>
/// A TCP proxy on 127.0.0.1 in front of the real S3 server. The first <c>failures</c> connections each get one
/// "503 Service Unavailable" answer (the request is read, never forwarded), later connections are piped through
/// unchanged. It records every byte clients send, so tests can check what went over the wire.
/// </summary>
internal sealed class FaultInjectingProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Uri _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentBag<Task> _connections = [];
    private readonly StringBuilder _sent = new();
    private readonly Task _acceptLoop;
    private int _failuresLeft;
    private int _failuresServed;

    public FaultInjectingProxy(Uri target, int failures)
    {
        _target = target;
        _failuresLeft = failures;
        _listener.Start();
        _acceptLoop = AcceptLoopAsync();
    }

    public Uri Endpoint => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}");

    public int FailuresServed => Volatile.Read(ref _failuresServed);

    /// <summary>Everything clients sent, as Latin-1 text (headers readable, bodies as they were).</summary>
    public string SentText
    {
        get
        {
            lock (_sent)
            {
                return _sent.ToString();
            }
        }
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }

            _connections.Add(Interlocked.Decrement(ref _failuresLeft) >= 0 ? FailAsync(client) : PipeAsync(client));
        }
    }

    private async Task FailAsync(TcpClient client)
    {
        using var _ = client;
        var stream = client.GetStream();
        var headers = await ReadHeadersAsync(stream);
        Record(headers);
        var contentLength = 0L;
        var expectContinue = false;
        foreach (var line in headers.Split("\r\n"))
        {
            if (line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
            {
                contentLength = long.Parse(line["Content-Length:".Length..].Trim());
            }

            expectContinue |= line.StartsWith("Expect:", StringComparison.OrdinalIgnoreCase) && line.Contains("100-continue");
        }

        // Drain the body unless the client waits for "100 Continue" before sending it.
        var buffer = new byte[65536];
        while (!expectContinue && contentLength > 0)
        {
            var n = await stream.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, contentLength)), _stop.Token);
            if (n == 0)
            {
                break;
            }

            contentLength -= n;
        }

        var body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>ServiceUnavailable</Code><Message>injected fault</Message></Error>";
        var response = "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/xml\r\n" +
                       $"Content-Length: {Encoding.ASCII.GetByteCount(body)}\r\nConnection: close\r\n\r\n{body}";
        // Counted before the answer goes out, so a client that saw it also sees it counted.
        Interlocked.Increment(ref _failuresServed);
        await stream.WriteAsync(Encoding.ASCII.GetBytes(response), _stop.Token);
    }

    private async Task PipeAsync(TcpClient client)
    {
        using var _ = client;
        using var server = new TcpClient();
        await server.ConnectAsync(_target.Host, _target.Port, _stop.Token);
        var upstream = CopyAsync(client.GetStream(), server.GetStream(), record: true);
        var downstream = CopyAsync(server.GetStream(), client.GetStream(), record: false);
        await Task.WhenAny(upstream, downstream);
    }

    private async Task CopyAsync(Stream from, Stream to, bool record)
    {
        var buffer = new byte[65536];
        try
        {
            int n;
            while ((n = await from.ReadAsync(buffer, _stop.Token)) > 0)
            {
                if (record)
                {
                    Record(Encoding.Latin1.GetString(buffer, 0, n));
                }

                await to.WriteAsync(buffer.AsMemory(0, n), _stop.Token);
            }
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    private static async Task<string> ReadHeadersAsync(Stream stream)
    {
        var bytes = new List<byte>();
        var one = new byte[1];
        while (await stream.ReadAsync(one) == 1)
        {
            bytes.Add(one[0]);
            if (bytes.Count >= 4 && bytes[^1] == '\n' && bytes[^2] == '\r' && bytes[^3] == '\n' && bytes[^4] == '\r')
            {
                break;
            }
        }

        return Encoding.Latin1.GetString(bytes.ToArray());
    }

    private void Record(string text)
    {
        lock (_sent)
        {
            _sent.Append(text);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        try
        {
            await _acceptLoop;
            await Task.WhenAll(_connections).WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception)
        {
        }

        _stop.Dispose();
    }
}
