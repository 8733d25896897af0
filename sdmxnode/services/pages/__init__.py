"""What the HTML pages for people show: catalogue, dataflow, explorer, comparability, mirror."""
