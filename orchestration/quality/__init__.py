"""Signal quality: Meta's Dataset Quality pull, the reporting models' report and its checks."""
