//! The application's error type. Clients see a short Chinese message; for
//! internal failures the message is opaque and the cause chain goes to the log.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("未找到")]
    NotFound,
    #[error("请先登录")]
    Unauthenticated,
    #[error("无权访问")]
    Forbidden,
    #[error("请先修改密码")]
    MustChangePassword,
    #[error("{0}")]
    BadRequest(String),
    #[error("尝试次数过多，请 {minutes} 分钟后再试")]
    TooManyAttempts { minutes: i64 },
    /// The detail stays in the server log; the client only learns that
    /// something failed.
    #[error("服务器内部错误，请稍后再试")]
    Internal,
    #[error("服务暂时不可用，请稍后再试")]
    Unavailable,
}

impl AppError {
    pub fn status_code(&self) -> u16 {
        match self {
            AppError::NotFound => 404,
            AppError::Unauthenticated => 401,
            AppError::Forbidden | AppError::MustChangePassword => 403,
            AppError::BadRequest(_) => 400,
            AppError::TooManyAttempts { .. } => 429,
            AppError::Internal => 500,
            AppError::Unavailable => 503,
        }
    }

    pub fn bad_request(message: impl std::fmt::Display) -> Self {
        AppError::BadRequest(message.to_string())
    }

    /// Gives a failed server-function call the HTTP status of its error.
    /// Left alone are plain HTML form posts, which Leptos answers with a
    /// redirect back to the form (the error encoded in the URL), and server
    /// functions called while rendering a page, where the page decides.
    #[cfg(feature = "ssr")]
    pub fn with_status(self) -> Self {
        use leptos::prelude::use_context;
        let Some(parts) = use_context::<http::request::Parts>() else {
            return self;
        };
        let is_api_call = parts.uri.path().starts_with("/api/");
        let is_form_post = parts
            .headers
            .get(http::header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("text/html"));
        if is_api_call
            && !is_form_post
            && let Some(response) = use_context::<leptos_axum::ResponseOptions>()
        {
            response.set_status(
                http::StatusCode::from_u16(self.status_code())
                    .unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR),
            );
        }
        self
    }

    /// Logs the full cause chain of an internal failure and returns the
    /// opaque error for the client.
    #[cfg(feature = "ssr")]
    pub fn internal(err: impl std::error::Error) -> Self {
        let mut chain = err.to_string();
        let mut source = err.source();
        while let Some(cause) = source {
            chain.push_str(": ");
            chain.push_str(&cause.to_string());
            source = cause.source();
        }
        tracing::error!(error = %chain, "internal error");
        AppError::Internal
    }
}

#[cfg(feature = "ssr")]
impl From<sqlx::Error> for AppError {
    fn from(err: sqlx::Error) -> Self {
        match err {
            sqlx::Error::RowNotFound => AppError::NotFound,
            sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => {
                tracing::error!(error = %err, "database unavailable");
                AppError::Unavailable
            }
            other => AppError::internal(other),
        }
    }
}

// Server functions return `AppError` directly; framework failures (bad
// arguments, network) are folded into its variants.
impl leptos::server_fn::error::FromServerFnError for AppError {
    type Encoder = leptos::server_fn::codec::JsonEncoding;

    fn from_server_fn_error(value: leptos::server_fn::error::ServerFnErrorErr) -> Self {
        use leptos::server_fn::error::ServerFnErrorErr as E;
        match value {
            E::Args(_) | E::MissingArg(_) => AppError::BadRequest("请求参数有误".to_string()),
            E::Request(_) => AppError::Unavailable,
            _ => AppError::Internal,
        }
    }
}
