"""The reconciler: a scheduled safety net that alerts on pending deletions whose execution has stopped."""
