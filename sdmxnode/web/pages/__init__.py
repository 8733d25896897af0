"""Flask views of the HTML pages for people: browsing, data, validation and the API page."""
