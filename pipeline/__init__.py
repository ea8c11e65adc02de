"""Scoring: claims extraction, embedding, claim matching, stance and flagging (pure core)."""
