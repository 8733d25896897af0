"""SDMX-ML 3.0 structure messages written from sdmx1's model, one module per artefact family."""
