"""Pure-text models (word tokens, n-gram LMs, bag-of-words classifiers, pretrained causal LMs): scorers of captions
that never see an image, a stage just after generators that probes, adapters and validity import."""
