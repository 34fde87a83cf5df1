"""The hostile corpus: each case that once broke OutageHub, kept as a file so it stays fixed."""
