"""The data explorer: a selection (`selection`), its figures, table and chart series
(`exploration`), what is shown beside them (`display`), filters as code-list trees
(`hierarchy`) and the same selection from a program (`snippets`)."""
