"""Tests of the LaunchDarkly Audiences destination plugin."""
