"""The leaderboard: submission files packed from runs, verified against known probe sets, rendered as boards.

Nothing a submission claims is trusted: the board rebuilds (or finds) the probe set it names, takes each item's
intended option from that probe set, and recomputes every metric from the submitted per-item scores.
"""
