"""Pure-text models (word tokens, n-gram LMs, bag-of-words classifiers): a leaf that probes and validity import."""
