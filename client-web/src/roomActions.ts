import type { ChatClient, RoomState } from './chat';
import { byId } from './dom';

/**
 * The owner's room buttons in the header: archive (or unarchive) and delete. Hidden for everyone else and for
 * direct conversations; admins do this through the REST API, not here. The server checks ownership again.
 */
const archiveButton = byId<HTMLButtonElement>('room-archive');
const deleteButton = byId<HTMLButtonElement>('room-delete');

export function renderRoomActions(c: ChatClient, room: RoomState | undefined): void {
  const owner = !!room && !room.info.isDirect && room.info.isMember && c.isMe(room.info.owner);
  archiveButton.hidden = !owner;
  deleteButton.hidden = !owner;
  if (!owner) {
    archiveButton.onclick = deleteButton.onclick = null;
    return;
  }

  const name = room.info.name;
  const archived = room.info.isArchived;
  archiveButton.textContent = archived ? 'Unarchive' : 'Archive';
  archiveButton.onclick = () => void c.archiveRoom(name, !archived).catch(() => undefined);
  deleteButton.onclick = () => {
    // Deleting cannot be undone from here, and the room goes for every member: ask first.
    if (confirm(`Delete # ${name} for everyone? Its messages will no longer be readable.`)) void c.deleteRoom(name).catch(() => undefined);
  };
}
