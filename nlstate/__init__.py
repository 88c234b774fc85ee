"""nlstate: declarative network state for Linux, spoken straight to the kernel over rtnetlink."""

__version__ = "0.1.0"
