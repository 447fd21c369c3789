// Module Mail.
