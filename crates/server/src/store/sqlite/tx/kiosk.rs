//! Self-service kiosk identifications.

use super::super::rows::*;
use super::SqliteTx;
use crate::error::{ApiError, ApiResult};
use crate::model::*;
use crate::store::*;
use rusqlite::params;

impl KioskTx for SqliteTx<'_> {
    fn insert_identification(&mut self, x: &IdentificationRow) -> ApiResult<()> {
        self.exec(
            "INSERT INTO kiosk_identifications (id, session_hash, store_id, terminal_id, customer_id, status, \
             channel, destination_masked, code_mac, code_length, sent_at_ms, expires_at_ms, resend_after_ms, \
             max_attempts, failed_attempts, bound_at_ms, last_used_ms, idle_until_ms, created_at_ms, ended_at_ms) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20)",
            params![
                x.id,
                x.session_hash,
                x.store_id,
                x.terminal_id,
                x.customer_id,
                text(&x.status),
                x.otp.channel.as_str(),
                x.otp.destination_masked,
                x.otp.code_mac,
                x.otp.length,
                x.otp.sent_at_ms,
                x.otp.expires_at_ms,
                x.otp.resend_after_ms,
                x.max_attempts,
                x.failed_attempts,
                x.bound_at_ms,
                x.last_used_ms,
                x.idle_until_ms,
                x.created_at_ms,
                x.ended_at_ms
            ],
        )?;
        Ok(())
    }

    fn update_identification(&mut self, x: &IdentificationRow) -> ApiResult<()> {
        let n = self.exec(
            "UPDATE kiosk_identifications SET status = ?2, channel = ?3, destination_masked = ?4, code_mac = ?5, \
             code_length = ?6, sent_at_ms = ?7, expires_at_ms = ?8, resend_after_ms = ?9, failed_attempts = ?10, \
             bound_at_ms = ?11, last_used_ms = ?12, idle_until_ms = ?13, ended_at_ms = ?14 WHERE id = ?1",
            params![
                x.id,
                text(&x.status),
                x.otp.channel.as_str(),
                x.otp.destination_masked,
                x.otp.code_mac,
                x.otp.length,
                x.otp.sent_at_ms,
                x.otp.expires_at_ms,
                x.otp.resend_after_ms,
                x.failed_attempts,
                x.bound_at_ms,
                x.last_used_ms,
                x.idle_until_ms,
                x.ended_at_ms
            ],
        )?;
        if n != 1 {
            return Err(ApiError::internal(format!(
                "identification {} vanished",
                x.id
            )));
        }
        Ok(())
    }

    fn latest_identification(
        &mut self,
        session_hash: &str,
    ) -> ApiResult<Option<IdentificationRow>> {
        self.one(
            &format!(
                "SELECT {IDENTIFICATION_COLS} WHERE session_hash = ?1 \
                 ORDER BY created_at_ms DESC, rowid DESC LIMIT 1"
            ),
            params![session_hash],
            identification_row,
        )
    }

    fn identifications_idle_by(
        &mut self,
        now_ms: i64,
        limit: u32,
    ) -> ApiResult<Vec<IdentificationRow>> {
        self.all(
            &format!(
                "SELECT {IDENTIFICATION_COLS} WHERE status = 'bound' AND idle_until_ms <= ?1 \
                 ORDER BY idle_until_ms LIMIT ?2"
            ),
            params![now_ms, limit],
            identification_row,
        )
    }

    fn prune_identifications(&mut self, before_ms: i64) -> ApiResult<usize> {
        self.exec(
            "DELETE FROM kiosk_identifications WHERE status != 'bound' AND created_at_ms < ?1",
            params![before_ms],
        )
    }

    fn open_redemptions_of_identification(
        &mut self,
        store_id: &str,
        identification_id: &str,
    ) -> ApiResult<Vec<RedemptionRow>> {
        self.all(
            "SELECT data FROM redemptions WHERE identification_id = ?1 AND store_id = ?2 \
             AND status IN ('awaiting_otp', 'approved') ORDER BY created_at_ms",
            params![identification_id, store_id],
            redemption_row,
        )
    }
}
