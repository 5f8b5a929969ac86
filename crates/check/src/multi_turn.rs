//! Multi-turn checker (in progress).
