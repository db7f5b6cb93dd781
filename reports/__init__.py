"""Reports: the static leaderboard and study report."""
