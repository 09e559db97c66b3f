"""The shared kit: engines and URLs, the unit of work, bulk inserts, ids, the base error and field errors.

The kit imports no feature (an import contract checks it)."""
