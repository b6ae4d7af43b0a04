using System.Text;

namespace KvAspire.Node.Consensus;

/// <summary>
/// Who belongs to the cluster as of some log index. Voters elect the primary and count towards every quorum;
/// learners receive the log (so a new node catches up without weakening the quorum) but neither vote nor count.
/// A configuration lives in the log as an entry of its own (<see cref="Encode"/>) and in snapshots; a node uses the
/// newest one its log holds, committed or not (Raft thesis §4.1). A cluster whose log holds none uses its founding
/// members, which every node is configured with alike.
/// </summary>
public sealed class Membership : IEquatable<Membership>
{
    /// <summary>The first byte of a configuration entry: no state machine command starts with it (theirs is a format
    /// version, 1 or 2), so an entry is either one or the other.</summary>
    private const byte EntryMarker = 0xC1;

    private readonly string[] _voters;
    private readonly string[] _learners;

    public Membership(IEnumerable<string> voters, IEnumerable<string> learners)
    {
        _voters = [.. voters.Distinct().Order(StringComparer.Ordinal)];
        _learners = [.. learners.Distinct().Order(StringComparer.Ordinal)];
        if (Problem(_voters, _learners) is { } problem)
            throw new ArgumentException(problem);
    }

    public IReadOnlyList<string> Voters => _voters;
    public IReadOnlyList<string> Learners => _learners;
    public IEnumerable<string> Members => _voters.Concat(_learners);

    public bool IsVoter(string id) => Array.BinarySearch(_voters, id, StringComparer.Ordinal) >= 0;
    public bool IsLearner(string id) => Array.BinarySearch(_learners, id, StringComparer.Ordinal) >= 0;
    public bool Contains(string id) => IsVoter(id) || IsLearner(id);

    public Membership WithLearner(string id) => new(_voters, [.. _learners, id]);
    public Membership WithVoter(string id) => new([.. _voters, id], _learners.Where(l => l != id));
    public Membership Without(string id) => new(_voters.Where(v => v != id), _learners.Where(l => l != id));

    /// <summary>Whether <paramref name="data"/> is a configuration entry's payload (which may still fail to decode).</summary>
    public static bool IsEntry(ReadOnlySpan<byte> data) => data.Length > 0 && data[0] == EntryMarker;

    /// <summary><c>[0xC1][voters:1][learners:1]</c>, then each id as <c>[length:1][ASCII]</c>, voters first.</summary>
    public byte[] Encode()
    {
        var buffer = new List<byte>(3 + Members.Sum(m => 1 + m.Length)) { EntryMarker, (byte)_voters.Length, (byte)_learners.Length };
        foreach (var member in Members)
        {
            buffer.Add((byte)member.Length);
            buffer.AddRange(Encoding.ASCII.GetBytes(member));
        }
        return [.. buffer];
    }

    /// <summary>Reads a configuration entry; false for anything malformed (a peer's bytes are never trusted).</summary>
    public static bool TryDecode(ReadOnlySpan<byte> data, out Membership membership)
    {
        membership = null!;
        if (data.Length < 3 || data[0] != EntryMarker || data[1] + data[2] > MemberRules.MaxMembers)
            return false;
        var ids = new string[data[1] + data[2]];
        var offset = 3;
        for (var i = 0; i < ids.Length; i++)
        {
            if (offset >= data.Length || offset + 1 + data[offset] > data.Length)
                return false;
            ids[i] = Encoding.ASCII.GetString(data.Slice(offset + 1, data[offset]));
            offset += 1 + data[offset];
        }
        var voters = ids[..data[1]];
        var learners = ids[data[1]..];
        if (offset != data.Length || Problem(voters, learners) is not null
            || voters.Distinct().Count() != voters.Length || learners.Distinct().Count() != learners.Length)
            return false;
        membership = new Membership(voters, learners);
        return true;
    }

    private static string? Problem(string[] voters, string[] learners)
    {
        if (voters.Length == 0)
            return "A cluster needs at least one voter.";
        if (voters.Length + learners.Length > MemberRules.MaxMembers)
            return $"A cluster has at most {MemberRules.MaxMembers} members.";
        if (voters.Concat(learners).FirstOrDefault(id => !MemberRules.IsValidId(id)) is { } bad)
            return $"'{bad}' is not a member name (1-{MemberRules.MaxIdLength} letters, digits, '-', '_' or '.').";
        if (voters.Intersect(learners).FirstOrDefault() is { } both)
            return $"'{both}' cannot be both a voter and a learner.";
        return null;
    }

    public bool Equals(Membership? other) =>
        ReferenceEquals(this, other) || (other is not null && _voters.AsSpan().SequenceEqual(other._voters) && _learners.AsSpan().SequenceEqual(other._learners));

    public override bool Equals(object? obj) => Equals(obj as Membership);

    public override int GetHashCode() => HashCode.Combine(_voters.Length, _learners.Length, _voters[0]);

    public override string ToString() =>
        _learners.Length == 0 ? $"voters {string.Join(",", _voters)}" : $"voters {string.Join(",", _voters)}; learners {string.Join(",", _learners)}";
}
