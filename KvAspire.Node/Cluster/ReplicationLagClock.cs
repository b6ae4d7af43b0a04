namespace KvAspire.Node.Cluster;

/// <summary>
/// On the primary: when entries entered the log, so a secondary's lag can be told in seconds — the age of
/// the oldest entry it does not have yet. Entries inherited from an earlier primary count from this node's
/// election. Host loop only.
/// </summary>
/// <remarks>
/// Memory stays bounded however far a secondary falls behind (one that is down never acknowledges): time
/// since the election is cut into slots of <see cref="Resolution"/>, and only the first index appended in
/// each slot is kept, at most <see cref="Capacity"/> of them. When they fill, the resolution doubles and
/// neighbouring slots merge. An entry was appended within the slot found for it, so
/// <see cref="LagSeconds"/> is never below the true age and exceeds it by less than
/// <see cref="Resolution"/>: <see cref="InitialResolution"/> at first, and once a backlog spans D seconds
/// between 2·D and 4·D over <see cref="Capacity"/> (2–4 s for a secondary down for an hour).
/// </remarks>
public sealed class ReplicationLagClock(TimeProvider time)
{
    public const int Capacity = 4096;
    public static readonly TimeSpan InitialResolution = TimeSpan.FromMilliseconds(10);

    /// <summary>(first index appended in the slot, the slot's start), both ascending.</summary>
    private readonly List<(long FirstIndex, long SlotStart)> _slots = new(Capacity);
    private long _resolutionTicks = InitialResolutionTicks(time);
    private long _lastIndex;
    private long _sinceElection = time.GetTimestamp();

    /// <summary>How much <see cref="LagSeconds"/> may overstate a lag by now.</summary>
    public TimeSpan Resolution => TimeSpan.FromSeconds((double)_resolutionTicks / time.TimestampFrequency);

    /// <summary>How many slots are kept (at most <see cref="Capacity"/>).</summary>
    public int Slots => _slots.Count;

    public void BecamePrimary()
    {
        _slots.Clear();
        _resolutionTicks = InitialResolutionTicks(time);
        _lastIndex = 0;
        _sinceElection = time.GetTimestamp();
    }

    public void Appended(long index)
    {
        if (index <= _lastIndex)
            return;
        _lastIndex = index;
        var now = time.GetTimestamp();
        if (_slots.Count > 0 && _slots[^1].SlotStart == SlotOf(now))
            return;
        if (_slots.Count == Capacity)
            CoarsenUntilHalfFull();
        // Coarser slots may have made this entry part of the newest one.
        if (_slots.Count == 0 || _slots[^1].SlotStart != SlotOf(now))
            _slots.Add((index, SlotOf(now)));
    }

    /// <summary>Seconds since the first entry after <paramref name="matchIndex"/> was appended (within
    /// <see cref="Resolution"/>, never less); 0 when caught up.</summary>
    public double LagSeconds(long matchIndex, long lastIndex)
    {
        if (matchIndex >= lastIndex)
            return 0;
        var slot = LastSlotAtOrBefore(matchIndex + 1);
        var appended = slot < 0 ? _sinceElection : _slots[slot].SlotStart;
        return time.GetElapsedTime(appended).TotalSeconds;
    }

    /// <summary>Every secondary has everything up to <paramref name="index"/>: older slots are no longer needed.</summary>
    public void ForgetThrough(long index)
    {
        // Keep the slot holding index + 1, the oldest entry some secondary may still lack.
        var keep = LastSlotAtOrBefore(index + 1);
        if (keep > 0)
            _slots.RemoveRange(0, keep);
    }

    /// <summary>The last slot whose first index is at or before <paramref name="index"/>; -1 if none.</summary>
    private int LastSlotAtOrBefore(long index)
    {
        int low = 0, high = _slots.Count - 1;
        while (low <= high)
        {
            var middle = low + (high - low) / 2;
            if (_slots[middle].FirstIndex <= index)
                low = middle + 1;
            else
                high = middle - 1;
        }
        return high;
    }

    private long SlotOf(long timestamp) =>
        _sinceElection + (timestamp - _sinceElection) / _resolutionTicks * _resolutionTicks;

    /// <summary>Doubles the resolution, merging each pair of slots that now share one (the earlier first
    /// index wins), until at most half the capacity is used. Slots with gaps between them may not merge
    /// at once, hence the loop.</summary>
    private void CoarsenUntilHalfFull()
    {
        while (_slots.Count > Capacity / 2)
        {
            _resolutionTicks *= 2;
            var kept = 0;
            for (var i = 0; i < _slots.Count; i++)
            {
                var slotStart = SlotOf(_slots[i].SlotStart);
                if (kept > 0 && _slots[kept - 1].SlotStart == slotStart)
                    continue;
                _slots[kept++] = (_slots[i].FirstIndex, slotStart);
            }
            _slots.RemoveRange(kept, _slots.Count - kept);
        }
    }

    private static long InitialResolutionTicks(TimeProvider time) =>
        (long)(InitialResolution.TotalSeconds * time.TimestampFrequency);
}
