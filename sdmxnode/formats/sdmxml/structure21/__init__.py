"""SDMX-ML 2.1 structure messages written from sdmx1's model, one module per artefact family."""
