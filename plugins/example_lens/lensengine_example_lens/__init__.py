"""The smallest complete lensengine plugin: copy this distribution to start your own."""
