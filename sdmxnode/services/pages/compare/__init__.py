"""The comparability page: each country's definitions from its data (`comparability`) and
from its reference metadata, read against the UN 1998 recommendations (`recommendations`)."""
