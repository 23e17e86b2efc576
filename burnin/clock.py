"""Whether a source's clock agrees with this machine's: windows are placed by our clock and
judged from what the source stamped with its own."""

from __future__ import annotations

# Beyond this many seconds apart (two scrapes of 15 s), a window's edges would see holes or
# samples and journal lines that are not there. NTP keeps hosts within milliseconds.
MAX_CLOCK_SKEW_S = 30.0


def skew(remote_s: float, sent: float, received: float) -> float:
    """The source's clock minus ours, from a reading truncated to the second (an HTTP Date
    header, `date +%s`) taken between `sent` and `received` (our clock). A reading that fits
    the request's span counts as no skew."""
    ours = (sent + received) / 2
    # Truncated to the second: the source's clock lay in [remote, remote + 1).
    if remote_s <= ours < remote_s + 1 + (received - sent):
        return 0.0
    return remote_s + 0.5 - ours


def skew_cause(who: str, how: str, skew_s: float | None) -> str | None:
    """The SOURCE_ERROR cause when `who`'s clock is off by more than the tolerance, else None."""
    if skew_s is None or abs(skew_s) <= MAX_CLOCK_SKEW_S:
        return None
    way = "ahead of" if skew_s > 0 else "behind"
    return (
        f"clock skew: {who} clock is {abs(skew_s):.0f} s {way} this machine's ({how}; "
        f"tolerance {MAX_CLOCK_SKEW_S:.0f} s): every window would be misplaced by that much; "
        "fix the time sync (NTP) of one of them"
    )
