"""Catalog: what the business sells.

Purpose: products with their net price, VAT rate, standard cost, barcode, weight and warranty.
Depends on: kernel.
Publishes: ProductCreated. Subscribes: nothing.
"""
