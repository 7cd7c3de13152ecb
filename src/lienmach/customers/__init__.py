"""Customers: who buys, where they live, and whether they may buy on credit.

Purpose: register customers with checked contact data (phone in E.164, e-mail, tax code or
personal ID number) and an address in the two-level system in force since 1 July 2025 (older
province + district + ward addresses are mapped and kept); block customers; put them on credit
hold. ``geography`` holds the 34 provinces with their wards, centroids and distances, used by
orders, inventory and shipping.
Depends on: kernel.
Publishes: CustomerRegistered, CustomerBlocked.
Subscribes: nothing.
"""
