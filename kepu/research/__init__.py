"""The researcher's use cases: training and promoting the classifier, stance, calibration, check-worthiness and the detector."""
