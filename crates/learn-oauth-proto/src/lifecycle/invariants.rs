//! An invariant checker for tests and fuzz targets.
