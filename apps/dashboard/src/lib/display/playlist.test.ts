import { describe, expect, it } from 'vitest';
import { formatPlaylist, parsePlaylist, playlistFromUrl } from './playlist.ts';

describe('display playlists in the URL', () => {
  it('reads slides with their durations, in order', () => {
    expect(parsePlaylist('overview:20,league:15,children:10')).toEqual([
      { kind: 'overview', seconds: 20 },
      { kind: 'league', seconds: 15 },
      { kind: 'children', seconds: 10 },
    ]);
  });

  it('gives a slide without a duration 15 s and keeps durations between 5 s and an hour', () => {
    expect(parsePlaylist('curve,alerts:1,tiles:99999,league:abc')).toEqual([
      { kind: 'curve', seconds: 15 },
      { kind: 'alerts', seconds: 5 },
      { kind: 'tiles', seconds: 3600 },
      { kind: 'league', seconds: 15 },
    ]);
  });

  it('leaves out what it does not know, and stops at 20 slides', () => {
    expect(parsePlaylist('weather:10, Overview:12 ,league:1:2,')).toEqual([
      { kind: 'overview', seconds: 12 },
    ]);
    expect(parsePlaylist(Array(30).fill('curve:5').join(','))).toHaveLength(20);
    expect(parsePlaylist('')).toEqual([]);
    expect(parsePlaylist(null)).toEqual([]);
  });

  it('takes the older rotate=N as tiles, league, curve and children, N s each', () => {
    expect(playlistFromUrl(new URLSearchParams('rotate=20'))).toEqual([
      { kind: 'tiles', seconds: 20 },
      { kind: 'league', seconds: 20 },
      { kind: 'curve', seconds: 20 },
      { kind: 'children', seconds: 20 },
    ]);
    expect(playlistFromUrl(new URLSearchParams('rotate=20&playlist=curve:30'))).toEqual([
      { kind: 'curve', seconds: 30 },
    ]);
    expect(playlistFromUrl(new URLSearchParams('window=today'))).toEqual([]);
    expect(playlistFromUrl(new URLSearchParams('rotate=0'))).toEqual([]);
  });

  it('knows the 766 scorecard slide, in the URL and in a saved playlist', () => {
    expect(parsePlaylist('overview:20,scorecard:12')).toEqual([
      { kind: 'overview', seconds: 20 },
      { kind: 'scorecard', seconds: 12 },
    ]);
    expect(playlistFromUrl(new URLSearchParams('playlist=scorecard'))).toEqual([
      { kind: 'scorecard', seconds: 15 },
    ]);
  });

  it('writes a playlist back as it reads it', () => {
    const text = 'overview:20,league:15,children:10,scorecard:12,alerts:8';
    expect(formatPlaylist(parsePlaylist(text))).toBe(text);
  });
});
