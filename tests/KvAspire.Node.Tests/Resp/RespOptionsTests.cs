using KvAspire.Node.Api.Resp;
using Microsoft.Extensions.Options;

namespace KvAspire.Node.Tests.Resp;

public sealed class RespOptionsTests
{
    [Fact]
    public void Defaults_AreValid() => SettingsCheck.Validate(new RespOptions());

    [Theory]
    [InlineData("Resp:MaxMultibulkLength", nameof(RespOptions.MaxMultibulkLength), 0)]
    [InlineData("Resp:MaxInlineBytes", nameof(RespOptions.MaxInlineBytes), 10)]
    [InlineData("Resp:MaxQueryBufferBytes", nameof(RespOptions.MaxQueryBufferBytes), 1024)]
    [InlineData("Resp:MaxClients", nameof(RespOptions.MaxClients), 0)]
    public void OutOfRange_FailsNamingTheSetting(string setting, string property, int value)
    {
        var options = new RespOptions();
        typeof(RespOptions).GetProperty(property)!.SetValue(options, value);

        var error = Assert.Throws<OptionsValidationException>(() => SettingsCheck.Validate(options));

        Assert.Contains(setting, error.Message);
    }

    [Theory]
    [InlineData("redis://kv-peers:6379")] // no {id}
    [InlineData("{id}.kv-peers:6379")] // not an absolute URI
    [InlineData("redis://{id}.kv-peers")] // no port
    public void AMemberAddressTemplate_ThatCannotNameAMembersPort_FailsNamingTheSetting(string template)
    {
        var error = Assert.Throws<OptionsValidationException>(() => SettingsCheck.Validate(new RespOptions { MemberAddressTemplate = template }));

        Assert.Contains("Resp:MemberAddressTemplate", error.Message);
        Assert.Contains(template, error.Message);
    }

    [Fact]
    public void AMemberAddressTemplate_WithIdAndPort_IsValid() =>
        SettingsCheck.Validate(new RespOptions { MemberAddressTemplate = "redis://{id}.kv-peers:6379" });
}
