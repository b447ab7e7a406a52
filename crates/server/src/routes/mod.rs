//! The `/api` routes. Handlers parse HTTP into domain input, call one use case and render the
//! contract's shape; rules live in the domain crates.

mod auth;
mod cart;
mod health;
mod inquiries;
mod metadata;
mod notifications;
mod orders;
mod products;
mod reviews;
mod stores;
mod upload;
mod users;

pub mod statics;

use paperclip::actix::web;

/// Every documented route under `/api`.
pub fn api() -> web::Scope {
    web::scope("/api")
        .service(web::resource("/auth/login").route(web::post().to(auth::login)))
        .service(web::resource("/auth/refresh").route(web::post().to(auth::refresh)))
        .service(web::resource("/auth/logout").route(web::post().to(auth::logout)))
        .service(web::resource("/users").route(web::post().to(users::signup)))
        .service(
            web::resource("/users/me")
                .route(web::get().to(users::me))
                .route(web::patch().to(users::update_me)),
        )
        .service(web::resource("/users/me/likes").route(web::get().to(users::likes)))
        .service(web::resource("/users/me/points").route(web::get().to(users::points)))
        .service(web::resource("/users/delete").route(web::delete().to(users::delete_me)))
        .service(web::resource("/stores").route(web::post().to(stores::create)))
        .service(web::resource("/stores/detail/my").route(web::get().to(stores::mine)))
        .service(
            web::resource("/stores/detail/my/product").route(web::get().to(stores::my_products)),
        )
        .service(
            web::resource("/stores/{storeId}")
                .route(web::get().to(stores::detail))
                .route(web::patch().to(stores::update)),
        )
        .service(
            web::resource("/stores/{storeId}/favorite")
                .route(web::post().to(stores::favorite))
                .route(web::delete().to(stores::unfavorite)),
        )
        .service(
            web::resource("/products")
                .route(web::get().to(products::list))
                .route(web::post().to(products::create)),
        )
        .service(
            web::resource("/products/{productId}")
                .route(web::get().to(products::detail))
                .route(web::patch().to(products::update))
                .route(web::delete().to(products::delete)),
        )
        .service(
            web::resource("/products/{productId}/inquiries")
                .route(web::get().to(inquiries::of_product))
                .route(web::post().to(inquiries::ask)),
        )
        .service(web::resource("/inquiries").route(web::get().to(inquiries::mine)))
        .service(
            web::resource("/inquiries/{inquiryId}")
                .route(web::get().to(inquiries::detail))
                .route(web::patch().to(inquiries::edit))
                .route(web::delete().to(inquiries::remove)),
        )
        .service(
            web::resource("/inquiries/{id}/replies")
                .route(web::post().to(inquiries::reply))
                .route(web::get().to(inquiries::get_reply))
                .route(web::patch().to(inquiries::edit_reply))
                .route(web::delete().to(inquiries::remove_reply)),
        )
        .service(
            web::resource("/cart")
                .route(web::post().to(cart::ensure))
                .route(web::get().to(cart::get))
                .route(web::patch().to(cart::set)),
        )
        .service(
            web::resource("/cart/{cartItemId}")
                .route(web::get().to(cart::item))
                .route(web::delete().to(cart::remove)),
        )
        .service(
            web::resource("/orders")
                .route(web::post().to(orders::place))
                .route(web::get().to(orders::list)),
        )
        .service(
            web::resource("/orders/{orderId}")
                .route(web::get().to(orders::detail))
                .route(web::patch().to(orders::update))
                .route(web::delete().to(orders::cancel)),
        )
        .service(
            web::resource("/product/{productId}/reviews")
                .route(web::post().to(reviews::write))
                .route(web::get().to(reviews::list)),
        )
        .service(
            web::resource("/review/{reviewId}")
                .route(web::get().to(reviews::detail))
                .route(web::patch().to(reviews::edit))
                .route(web::delete().to(reviews::remove)),
        )
        .service(web::resource("/dashboard").route(web::get().to(reviews::dashboard)))
        .service(web::resource("/notifications").route(web::get().to(notifications::list)))
        .service(web::resource("/notifications/sse").route(web::get().to(notifications::stream)))
        .service(
            web::resource("/notifications/{alarmId}/check")
                .route(web::patch().to(notifications::check)),
        )
        .service(web::resource("/metadata/grade").route(web::get().to(metadata::grades)))
        .service(web::resource("/metadata/size").route(web::get().to(metadata::sizes)))
        .service(
            web::resource("/metadata/category/{name}").route(web::get().to(metadata::category)),
        )
        .service(web::resource("/s3/upload").route(web::post().to(upload::upload)))
        .service(web::resource("/health").route(web::get().to(health::health)))
        .service(web::resource("/health/live").route(web::get().to(health::live)))
}
