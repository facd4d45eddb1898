//! `GET /v1/events`: the WebSocket of read events (no personal data in them).

use axum::extract::State;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::response::Response;
use serde_json::json;
use tokio::sync::broadcast;

use super::Shared;

pub(super) async fn events(State(st): State<Shared>, ws: WebSocketUpgrade) -> Response {
    let rx = st.events.subscribe();
    ws.on_upgrade(move |socket| forward(socket, rx))
}

pub(super) async fn forward(mut socket: WebSocket, mut rx: broadcast::Receiver<String>) {
    let _ = socket.send(Message::Text(json!({ "type": "hello" }).to_string().into())).await;
    loop {
        tokio::select! {
            ev = rx.recv() => match ev {
                Ok(text) => if socket.send(Message::Text(text.into())).await.is_err() { break },
                Err(broadcast::error::RecvError::Lagged(_)) => continue,
                Err(_) => break,
            },
            msg = socket.recv() => match msg {
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break,
                _ => {}
            },
        }
    }
}
