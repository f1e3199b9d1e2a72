"""Commerce: carts, checkout, payments, orders, phygital twins and shared documents."""
