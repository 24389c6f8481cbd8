"""HTTP layer of the catalog: schemas and routes only."""
