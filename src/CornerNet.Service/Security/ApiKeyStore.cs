using System.Security.Cryptography;
using CornerNet.Service.Configuration;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace CornerNet.Service.Security;

/// <summary>A known key: its holder, hash, scopes and rate.</summary>
public sealed record ApiKeyRecord(string Name, byte[] Hash, IReadOnlySet<string> Scopes, int? RequestsPerMinute, int? Burst);

/// <summary>
/// The keys the service accepts: those of ApiKeys:Keys and of ApiKeys:KeysFile. The file is watched (polled, so a
/// Kubernetes or Docker secret replaced through a symlink is seen too) and re-read when it changes; a changed file
/// that is not valid keeps the keys in force and logs why. Keys are held only as hashes.
/// </summary>
public sealed class ApiKeyStore : IDisposable
{
    private readonly ApiKeysOptions _options;
    private readonly ILogger<ApiKeyStore> _logger;
    private readonly IReadOnlyList<ApiKeyRecord> _configured;
    private readonly PhysicalFileProvider? _folder;
    private readonly IDisposable? _watch;
    private volatile IReadOnlyList<ApiKeyRecord> _fromFile = [];

    public ApiKeyStore(IOptions<ApiKeysOptions> options, ILogger<ApiKeyStore> logger)
    {
        _options = options.Value;
        _logger = logger;
        _configured = _options.Keys.Select(ToRecord).ToList();
        if (_options.KeysFile.Length == 0) return;

        var path = Path.GetFullPath(_options.KeysFile);
        ReloadFile(path, atStart: true);
        _folder = new PhysicalFileProvider(Path.GetDirectoryName(path)!) { UsePollingFileWatcher = true, UseActivePolling = true };
        _watch = ChangeToken.OnChange(() => _folder.Watch(Path.GetFileName(path)), () => ReloadFile(path, atStart: false));
    }

    /// <summary>Every key now accepted.</summary>
    public IReadOnlyList<ApiKeyRecord> Keys => [.. _configured, .. _fromFile];

    /// <summary>
    /// The key whose hash equals the hash of <paramref name="presented"/>, or null. Every known hash is compared, each
    /// in constant time, so the time taken tells nothing about how close a guess came.
    /// </summary>
    public ApiKeyRecord? Find(string presented)
    {
        var hash = ApiKeyHash.Of(presented);
        ApiKeyRecord? found = null;
        foreach (var key in Keys)
        {
            if (CryptographicOperations.FixedTimeEquals(hash, key.Hash) && found is null)
            {
                found = key;
            }
        }

        return found;
    }

    public void Dispose()
    {
        _watch?.Dispose();
        _folder?.Dispose();
    }

    private void ReloadFile(string path, bool atStart)
    {
        var (keys, problems) = File.Exists(path) ? ApiKeyFile.Read(path) : ([], [$"{ApiKeysOptions.Section}:KeysFile: '{path}' does not exist."]);
        if (problems.Count > 0)
        {
            // At start the options check has already refused the file; later, the keys in force stay.
            foreach (var problem in problems)
            {
                _logger.LogError("API keys file not reloaded, the previous keys stay in force: {Problem}", problem);
            }

            return;
        }

        _fromFile = keys.Select(ToRecord).ToList();
        _logger.LogInformation("API keys {Action} from {KeysFile}: {Names}", atStart ? "loaded" : "reloaded", path,
            string.Join(", ", _fromFile.Select(k => k.Name)));
    }

    private static ApiKeyRecord ToRecord(ApiKeyEntry entry) => new(entry.Name, ApiKeyHash.FromHex(entry.Sha256),
        entry.EffectiveScopes.ToHashSet(StringComparer.Ordinal), entry.RequestsPerMinute, entry.Burst);
}
