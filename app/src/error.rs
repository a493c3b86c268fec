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
    #[error("{0}")]
    BadRequest(String),
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
            AppError::Forbidden => 403,
            AppError::BadRequest(_) => 400,
            AppError::Internal => 500,
            AppError::Unavailable => 503,
        }
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
