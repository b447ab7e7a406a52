// Hand-written Diesel schema mirroring `migrations/` (no libpq needed to generate it).

diesel::table! {
    grades (id) {
        id -> Text,
        name -> Text,
        rate -> Int4,
        min_amount -> Int8,
    }
}

diesel::table! {
    sizes (id) {
        id -> Int4,
        name -> Text,
        en -> Text,
        ko -> Text,
    }
}

diesel::table! {
    categories (id) {
        id -> Text,
        name -> Text,
    }
}

diesel::table! {
    users (id) {
        id -> Text,
        name -> Text,
        email -> Text,
        password_hash -> Text,
        #[sql_name = "type"]
        user_type -> Text,
        image -> Text,
        points -> Int8,
        grade_id -> Text,
        cumulative_amount -> Int8,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    refresh_tokens (id) {
        id -> Text,
        user_id -> Text,
        token_hash -> Text,
        expires_at -> Timestamptz,
        created_at -> Timestamptz,
        rotated_at -> Nullable<Timestamptz>,
        successor_id -> Nullable<Text>,
        revoked_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    stores (id) {
        id -> Text,
        user_id -> Text,
        name -> Text,
        address -> Text,
        detail_address -> Text,
        phone_number -> Text,
        content -> Text,
        image -> Text,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    favorite_stores (id) {
        id -> Text,
        user_id -> Text,
        store_id -> Text,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    products (id) {
        id -> Text,
        store_id -> Text,
        category_id -> Text,
        name -> Text,
        content -> Text,
        image -> Text,
        price -> Int8,
        discount_rate -> Int4,
        discount_start_time -> Nullable<Timestamptz>,
        discount_end_time -> Nullable<Timestamptz>,
        sales -> Int8,
        reviews_count -> Int4,
        reviews_sum -> Int8,
        rate1_count -> Int4,
        rate2_count -> Int4,
        rate3_count -> Int4,
        rate4_count -> Int4,
        rate5_count -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        reviews_rating_x10 -> Int4,
    }
}

diesel::table! {
    stocks (id) {
        id -> Text,
        product_id -> Text,
        size_id -> Int4,
        quantity -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    carts (id) {
        id -> Text,
        buyer_id -> Text,
        quantity -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    cart_items (id) {
        id -> Text,
        cart_id -> Text,
        product_id -> Text,
        size_id -> Int4,
        quantity -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    orders (id) {
        id -> Text,
        buyer_id -> Nullable<Text>,
        name -> Text,
        phone_number -> Text,
        address -> Text,
        subtotal -> Int8,
        total_quantity -> Int4,
        use_point -> Int8,
        earned_point -> Int8,
        status -> Text,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    order_items (id) {
        id -> Text,
        order_id -> Text,
        product_id -> Nullable<Text>,
        store_id -> Text,
        product_name -> Text,
        product_image -> Text,
        size_id -> Int4,
        quantity -> Int4,
        price -> Int8,
        is_reviewed -> Bool,
        position -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    payments (id) {
        id -> Text,
        order_id -> Text,
        price -> Int8,
        status -> Text,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    point_transactions (id) {
        id -> Text,
        user_id -> Text,
        order_id -> Nullable<Text>,
        delta -> Int8,
        reason -> Text,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    idempotency_records (id) {
        id -> Text,
        user_id -> Text,
        key -> Text,
        request_hash -> Text,
        order_id -> Nullable<Text>,
        response_body -> Nullable<Text>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    reviews (id) {
        id -> Text,
        user_id -> Text,
        product_id -> Nullable<Text>,
        order_item_id -> Text,
        rating -> Int4,
        content -> Text,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    inquiries (id) {
        id -> Text,
        user_id -> Text,
        product_id -> Text,
        title -> Text,
        content -> Text,
        status -> Text,
        is_secret -> Bool,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    replies (id) {
        id -> Text,
        inquiry_id -> Text,
        user_id -> Text,
        content -> Text,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    notifications (id) {
        id -> Text,
        user_id -> Text,
        seq -> Int8,
        #[sql_name = "type"]
        kind -> Text,
        content -> Text,
        dedup_key -> Text,
        product_id -> Nullable<Text>,
        size_id -> Nullable<Int4>,
        inquiry_id -> Nullable<Text>,
        order_id -> Nullable<Text>,
        is_checked -> Bool,
        checked_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    notification_cursors (user_id) {
        user_id -> Text,
        seq -> Int8,
    }
}

diesel::joinable!(users -> grades (grade_id));
diesel::joinable!(refresh_tokens -> users (user_id));
diesel::joinable!(stores -> users (user_id));
diesel::joinable!(favorite_stores -> stores (store_id));
diesel::joinable!(products -> stores (store_id));
diesel::joinable!(products -> categories (category_id));
diesel::joinable!(stocks -> products (product_id));
diesel::joinable!(stocks -> sizes (size_id));
diesel::joinable!(cart_items -> carts (cart_id));
diesel::joinable!(cart_items -> products (product_id));
diesel::joinable!(order_items -> orders (order_id));
diesel::joinable!(payments -> orders (order_id));
diesel::joinable!(reviews -> order_items (order_item_id));
diesel::joinable!(inquiries -> products (product_id));
diesel::joinable!(replies -> inquiries (inquiry_id));

diesel::allow_tables_to_appear_in_same_query!(
    grades,
    sizes,
    categories,
    users,
    refresh_tokens,
    stores,
    favorite_stores,
    products,
    stocks,
    carts,
    cart_items,
    orders,
    order_items,
    payments,
    point_transactions,
    idempotency_records,
    reviews,
    inquiries,
    replies,
    notifications,
    notification_cursors,
);
