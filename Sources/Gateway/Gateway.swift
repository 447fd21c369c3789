// Module Gateway.
