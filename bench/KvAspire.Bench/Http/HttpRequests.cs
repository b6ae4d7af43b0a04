using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace KvAspire.Bench.Http;

public enum HttpApi
{
    /// <summary>KvAspire's <c>PUT/GET /kv/{key}</c> (node or gateway).</summary>
    Kv,
    /// <summary>etcd v3's JSON gateway: <c>POST /v3/kv/put</c> and <c>/v3/kv/range</c> with base64 keys and values.
    /// Its range reads are linearizable by default (ReadIndex), like KvAspire's reads.</summary>
    Etcd,
}

/// <summary>Builds the write and read request of one API, so one load loop drives KvAspire and etcd alike.</summary>
public sealed class HttpRequests
{
    private static readonly MediaTypeHeaderValue OctetStream = new("application/octet-stream");
    private static readonly MediaTypeHeaderValue Json = new("application/json");
    private readonly HttpApi _api;
    private readonly string _baseUrl;
    private readonly byte[] _value;
    private readonly string _valueBase64;

    private HttpRequests(HttpApi api, string baseUrl, byte[] value)
    {
        _api = api;
        _baseUrl = baseUrl.TrimEnd('/');
        _value = value;
        _valueBase64 = Convert.ToBase64String(value);
    }

    public static HttpRequests For(HttpApi api, string baseUrl, int valueBytes)
    {
        var value = new byte[valueBytes];
        Array.Fill(value, (byte)'x');
        return new HttpRequests(api, baseUrl, value);
    }

    public HttpRequestMessage Put(string key) => _api == HttpApi.Kv
        ? new HttpRequestMessage(HttpMethod.Put, $"{_baseUrl}/kv/{key}") { Content = Bytes(_value, OctetStream) }
        : EtcdPost("/v3/kv/put", new { key = Base64(key), value = _valueBase64 });

    public HttpRequestMessage Get(string key) => _api == HttpApi.Kv
        ? new HttpRequestMessage(HttpMethod.Get, $"{_baseUrl}/kv/{key}")
        : EtcdPost("/v3/kv/range", new { key = Base64(key) });

    private HttpRequestMessage EtcdPost(string path, object body) =>
        new(HttpMethod.Post, _baseUrl + path) { Content = Bytes(JsonSerializer.SerializeToUtf8Bytes(body), Json) };

    private static ByteArrayContent Bytes(byte[] body, MediaTypeHeaderValue type) =>
        new(body) { Headers = { ContentType = type } };

    private static string Base64(string key) => Convert.ToBase64String(Encoding.UTF8.GetBytes(key));
}
