"""The monitor: what is sampled, on which schedule, and where each observation goes.

- `observations.py`: the typed facts that flow (a check run, a batch of log lines with
  their signature hits, a pool sample, a probe, a fix run, the incident mark, a failure).
- `monitor.py`: where they come from: the log follower, the pool sampler and probe, the
  database sessions and the health/check runs, each a loop on its own schedule.
- `schedule.py`: how often health is sampled and when a sample is stale (read by the app
  before its first frame, without the rest).
- `stream.py`: where they go: one fan-out to every subscriber (the incident timeline,
  the recording, the per-minute counts, the app's panes).
"""
