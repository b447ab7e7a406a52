//! Cart rules (spec E26).

use crate::messages::CART_OUT_OF_STOCK;
use kernel::{DomainError, DomainResult};

/// 0–6 entries of `{ sizeId: 1..6, quantity ≥ 1 }`, no repeated size.
pub fn validate_sizes(sizes: &[(i32, i32)]) -> DomainResult<()> {
    if sizes.len() > 6 {
        return Err(DomainError::invalid("sizes: at most 6 entries"));
    }
    let mut seen = [false; 7];
    for (size, quantity) in sizes {
        if !(1..=6).contains(size) {
            return Err(DomainError::invalid("sizes: sizeId must be 1-6"));
        }
        if *quantity < 1 {
            return Err(DomainError::invalid("sizes: quantity must be at least 1"));
        }
        if std::mem::replace(&mut seen[*size as usize], true) {
            return Err(DomainError::invalid("sizes: sizeId must not repeat"));
        }
    }
    Ok(())
}

/// Every size must have a stock row holding at least the quantity (nothing is reserved).
pub fn check_stock(sizes: &[(i32, i32)], stock: &[(i32, i32)]) -> DomainResult<()> {
    for (size, quantity) in sizes {
        match stock.iter().find(|(s, _)| s == size) {
            Some((_, available)) if available >= quantity => {}
            _ => return Err(DomainError::invalid(CART_OUT_OF_STOCK)),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_stock() {
        assert!(validate_sizes(&[]).is_ok());
        assert!(validate_sizes(&[(3, 2), (4, 1)]).is_ok());
        for bad in [
            vec![(0, 1)],
            vec![(7, 1)],
            vec![(3, 0)],
            vec![(3, 1), (3, 2)],
        ] {
            assert!(validate_sizes(&bad).is_err(), "{bad:?}");
        }
        let stock = [(3, 3), (4, 0)];
        assert!(check_stock(&[(3, 3)], &stock).is_ok());
        for bad in [vec![(3, 4)], vec![(4, 1)], vec![(5, 1)]] {
            assert_eq!(
                check_stock(&bad, &stock).unwrap_err().to_string(),
                CART_OUT_OF_STOCK
            );
        }
    }
}
