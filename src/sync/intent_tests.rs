//! Create intents across a simulated restart.
