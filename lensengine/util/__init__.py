"""What every room of the engine uses: the cache folder, file hashes and verified downloads."""
