"""The Gradio chat UI (``app``) and its HTML formatting (``parts``); assets ship as package data."""
