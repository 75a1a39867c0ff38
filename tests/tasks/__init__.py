"""Task modules the core tests run, through the API and through the `streamflow` command."""
