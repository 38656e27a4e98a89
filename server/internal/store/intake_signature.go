package store

import (
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// SignIntent asks the intake to sign a campaign in someone's name.
type SignIntent struct {
	// Signature is the new signature: details, hashes and new token hashes,
	// and its creation time (now if zero). The store sets its id and status.
	Signature *Signature
	// Confirm is queued when the signature is new, or when the address's
	// signature is still pending (its details and tokens are replaced, at
	// most MaxResends times). Its Ref is set to the signature's id.
	Confirm Mail
	// Already is queued when the address's signature is already confirmed:
	// it tells so and carries a new withdrawal link, whose hash
	// (Signature.WithdrawTokenHash) replaces the old one. It shares the
	// MaxResends bound. Its Ref is set to the signature's id.
	Already Mail
}

func (in SignIntent) lockKey() string {
	return "signature:" + in.Signature.CampaignID + ":" + in.Signature.EmailHash
}

// apply makes a new signature, renews a pending one or answers a confirmed
// one, inside the intake's transaction.
func (in SignIntent) apply(s *Store, tx *gorm.DB) (IntakeOutcome, error) {
	sig := in.Signature
	if sig.CreatedAt.IsZero() {
		sig.CreatedAt = now()
	}
	sig.ID, sig.Status, sig.Resends = newID(), SignaturePending, 0
	res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(sig)
	if res.Error != nil {
		return 0, translate("sign", res.Error)
	}
	if res.RowsAffected == 1 {
		in.Confirm.Ref = sig.ID
		return OutcomeCreated, s.enqueue(tx, in.Confirm)
	}
	var ids []string
	err := tx.Raw(`UPDATE signatures SET name = ?, country = ?, comment = ?, visibility = ?, updates = ?,
			email_encrypted = ?, ref_code = ?, confirm_token_hash = ?, withdraw_token_hash = ?,
			token_expires_at = ?, resends = resends + 1, flagged = (flagged OR ?),
			flag_reason = CASE WHEN flagged THEN flag_reason ELSE ? END, ip_hash = ?,
			email_sealed = ?, name_sealed = ?, comment_sealed = ?, has_comment = ?, language = ?, count_only = ?
		WHERE campaign_id = ? AND email_hash = ? AND status = ? AND resends < ? RETURNING id`,
		sig.Name, sig.Country, sig.Comment, sig.Visibility, sig.Updates, sig.EmailEncrypted, sig.RefCode,
		sig.ConfirmTokenHash, sig.WithdrawTokenHash, sig.TokenExpiresAt, sig.Flagged, sig.FlagReason, sig.IPHash,
		sig.EmailSealed, sig.NameSealed, sig.CommentSealed, sig.HasComment, sig.Language, sig.CountOnly,
		sig.CampaignID, sig.EmailHash, SignaturePending, MaxResends).Scan(&ids).Error
	if err != nil {
		return 0, translate("sign again", err)
	}
	if len(ids) == 1 {
		// The links of a still-queued earlier email no longer work: it goes.
		if err := deleteQueuedMail(tx, ids[0]); err != nil {
			return 0, err
		}
		in.Confirm.Ref = ids[0]
		return OutcomeResent, s.enqueue(tx, in.Confirm)
	}
	err = tx.Raw(`UPDATE signatures SET withdraw_token_hash = ?, resends = resends + 1
		WHERE campaign_id = ? AND email_hash = ? AND status = ? AND resends < ? AND anonymised_at IS NULL RETURNING id`,
		sig.WithdrawTokenHash, sig.CampaignID, sig.EmailHash, SignatureConfirmed, MaxResends).Scan(&ids).Error
	if err != nil {
		return 0, translate("sign again", err)
	}
	if len(ids) == 1 {
		if err := deleteQueuedMail(tx, ids[0]); err != nil {
			return 0, err
		}
		in.Already.Ref = ids[0]
		return OutcomeAlready, s.enqueue(tx, in.Already)
	}
	return OutcomeUnchanged, nil
}
