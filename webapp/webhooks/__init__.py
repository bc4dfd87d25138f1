"""Provider callbacks: delivery reports and inbound SMS, signed, stored before processing."""
