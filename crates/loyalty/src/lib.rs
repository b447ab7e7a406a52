//! Membership grades and points (spec §1.2, §4.2). Grades are rows, not constants: every rule
//! here takes the grade table as data.

use kernel::DomainResult;
use serde::Serialize;
use std::future::Future;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Grade {
    pub id: String,
    pub name: String,
    /// Integer percentage of the paid amount earned as points.
    pub rate: i32,
    pub min_amount: i64,
}

/// Read access to the grade table.
pub trait GradeCatalog: Send + Sync {
    /// Every grade, ordered by `min_amount` ascending.
    fn all_grades(&self) -> impl Future<Output = DomainResult<Vec<Grade>>> + Send;
}

/// The grade table as a policy. Built from rows ordered by `min_amount`.
#[derive(Debug, Clone)]
pub struct GradePolicy {
    grades: Vec<Grade>,
}

impl GradePolicy {
    pub fn new(mut grades: Vec<Grade>) -> Self {
        grades.sort_by_key(|g| g.min_amount);
        Self { grades }
    }

    /// The grade with the largest `min_amount` not above `cumulative`.
    pub fn grade_for(&self, cumulative: i64) -> Option<&Grade> {
        self.grades
            .iter()
            .rev()
            .find(|g| g.min_amount <= cumulative)
    }

    /// The grade with the next higher `min_amount` than `current`, if any.
    pub fn next_after(&self, current: &Grade) -> Option<&Grade> {
        self.grades
            .iter()
            .find(|g| g.min_amount > current.min_amount)
    }

    pub fn grades(&self) -> &[Grade] {
        &self.grades
    }
}

/// `floor((subtotal − usePoint) × rate / 100)` in exact integer arithmetic (§4.2).
pub fn earned_points(subtotal: i64, use_point: i64, rate: i32) -> i64 {
    let paid = (subtotal - use_point).max(0) as i128;
    (paid * rate.max(0) as i128 / 100) as i64
}

/// E8: the points page of a user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PointsSummary {
    pub points: i64,
    pub lifetime_purchase: i64,
    pub grade: Grade,
    pub next_grade: Option<Grade>,
    pub need_to_next: Option<i64>,
}

pub fn points_summary(
    policy: &GradePolicy,
    points: i64,
    lifetime_purchase: i64,
    grade: Grade,
) -> PointsSummary {
    let next_grade = policy.next_after(&grade).cloned();
    let need_to_next = next_grade
        .as_ref()
        .map(|next| (next.min_amount - lifetime_purchase).max(0));
    PointsSummary {
        points,
        lifetime_purchase,
        grade,
        next_grade,
        need_to_next,
    }
}

/// Use case behind E51 and E8.
pub struct Loyalty<G> {
    grades: G,
}

impl<G: GradeCatalog> Loyalty<G> {
    pub fn new(grades: G) -> Self {
        Self { grades }
    }

    pub async fn grades(&self) -> DomainResult<Vec<Grade>> {
        self.grades.all_grades().await
    }

    pub async fn summary(
        &self,
        points: i64,
        lifetime_purchase: i64,
        grade: Grade,
    ) -> DomainResult<PointsSummary> {
        let policy = GradePolicy::new(self.grades.all_grades().await?);
        Ok(points_summary(&policy, points, lifetime_purchase, grade))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> GradePolicy {
        let g = |id: &str, name: &str, rate, min| Grade {
            id: id.into(),
            name: name.into(),
            rate,
            min_amount: min,
        };
        GradePolicy::new(vec![
            g("grade_vip", "VIP", 5, 1_000_000),
            g("grade_green", "Green", 1, 0),
            g("grade_orange", "Orange", 2, 100_000),
            g("grade_red", "Red", 3, 300_000),
            g("grade_black", "Black", 4, 500_000),
        ])
    }

    #[test]
    fn grade_boundaries_are_inclusive() {
        let p = table();
        assert_eq!(p.grade_for(0).unwrap().id, "grade_green");
        assert_eq!(p.grade_for(99_999).unwrap().id, "grade_green");
        assert_eq!(p.grade_for(100_000).unwrap().id, "grade_orange");
        assert_eq!(p.grade_for(999_999).unwrap().id, "grade_black");
        assert_eq!(p.grade_for(1_000_000).unwrap().id, "grade_vip");
        assert_eq!(p.grade_for(i64::MAX).unwrap().id, "grade_vip");
    }

    #[test]
    fn earning_floors_the_paid_amount() {
        assert_eq!(earned_points(36_000, 1_000, 1), 350);
        assert_eq!(earned_points(199, 0, 1), 1);
        assert_eq!(earned_points(99, 0, 1), 0);
        assert_eq!(earned_points(12_345, 45, 5), 615);
        assert_eq!(earned_points(1_000, 1_000, 5), 0);
    }

    #[test]
    fn summary_points_to_the_next_grade() {
        let p = table();
        let green = p.grade_for(36_000).unwrap().clone();
        let s = points_summary(&p, 1_200, 36_000, green);
        assert_eq!(s.next_grade.unwrap().id, "grade_orange");
        assert_eq!(s.need_to_next, Some(64_000));

        let vip = p.grade_for(2_000_000).unwrap().clone();
        let s = points_summary(&p, 0, 2_000_000, vip);
        assert_eq!(s.next_grade, None);
        assert_eq!(s.need_to_next, None);
    }
}
